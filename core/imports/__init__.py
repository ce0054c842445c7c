"""Roster import (名册导入) and cross-checking (比对)."""
