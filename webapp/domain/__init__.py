"""Pure business rules: no Flask, no database. Services and views build on these."""
