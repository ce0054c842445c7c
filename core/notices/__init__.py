"""Printable notices (文书): 劝返复学通知书 and 入学通知书 as DOCX (python-docx)."""
