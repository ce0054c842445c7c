"""Files that belong to a record (附件): content-addressed storage, type checks, attachments."""
