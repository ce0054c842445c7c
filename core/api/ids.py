"""Global ids for the API: the parser lives in :mod:`core.global_ids` (domain-neutral, so the
command line reads the same ids), re-exported here for the resolvers."""

from core.global_ids import (
    MAX_LENGTH,
    DecodedId,
    decode_global_id,
    encode_global_id,
    parse_global_id,
)

__all__ = ["MAX_LENGTH", "DecodedId", "decode_global_id", "encode_global_id", "parse_global_id"]
