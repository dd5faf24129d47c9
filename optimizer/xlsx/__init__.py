"""Excel workbooks (.xlsx): :mod:`.read` opens hostile ones safely, :mod:`.write` writes tidy ones.

Both use openpyxl: one pure-Python library for reading and writing. python-calamine reads faster,
but it allocates a sheet as one dense block from its first to its last cell, so a 5 KB workbook with
one value in A1 and one in XFD1048576 makes it ask for 512 GB and abort the whole process (a Rust
allocation failure, which Python cannot catch); openpyxl's read-only mode streams a sheet row by row.
"""
