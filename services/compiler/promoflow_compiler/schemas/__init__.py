"""Request and response models of the compiler's HTTP API (pydantic, shown in OpenAPI)."""
