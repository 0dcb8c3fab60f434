"""HTTP errors of the framework API, rendered as ``{"error", "error_description"}``."""


class ApiError(Exception):
    """An answer other than success; ``status`` is the HTTP status code."""

    def __init__(self, status, error, description="", headers=None):
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}

    def body(self):
        return {"error": self.error, "error_description": self.description}


def bad_request(error, description):
    return ApiError(400, error, description)


def unauthorized(error, description):
    return ApiError(401, error, description)


def forbidden(error, description):
    return ApiError(403, error, description)


def not_found(description="The requested object could not be found", error="object_not_found"):
    return ApiError(404, error, description)


def not_acceptable(error, description):
    return ApiError(406, error, description)


def invalid_data(description):
    return ApiError(406, "invalid_data", description)


def missing(name):
    return invalid_data(f"Invalid data passed: {name} is missing")


def duplicate(description):
    return ApiError(406, "duplicate", description)


def impossible(description):
    return ApiError(406, "impossible_request", description)


def too_many(error, description):
    return ApiError(429, error, description)


def internal(description):
    return ApiError(500, "internal_server", description)
