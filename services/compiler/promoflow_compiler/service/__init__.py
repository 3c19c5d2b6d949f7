"""Application services of the compiler: use cases, each in one database transaction."""
