"""The error answers every operation may give, written into the OpenAPI document so that
clients (and schemathesis in CI) know them: 401 without a valid token, 403 without the
permission (or a session call without its CSRF token), 404 for a record the caller may
not see, 422 for input the schema or the form refuses (or an Idempotency-Key sent
before with another request), 400 for a body that is no JSON (or form) at all or an
Idempotency-Key that is no line of text, 409 for a PUT or PATCH whose ``updated_at`` is
stale (someone saved the record after the client read it; core.versions), 412 for a
write whose If-Match (the record's ETag) is (api.conditional). Each is JSON with
a Persian ``detail``; a 422 may add ``errors`` (field by field), a 409 the record's
current ``updated_at``."""

ERROR_SCHEMA = "ApiError"

ERRORS = {
    "400": "بدنهٔ درخواست JSON یا فرم خوانا نیست.",
    "401": "احراز هویت لازم است: توکن معتبر بفرستید.",
    "403": "اجازه این کار را ندارید.",
    "404": "پیدا نشد.",
    "409": (
        "پس از خواندن رکورد (updated_at فرستاده‌شده)، کس دیگری آن را تغییر داده است: detail"
        " می‌گوید چه کسی و چه چیزی را، updated_at نسخهٔ کنونی است. رکورد را دوباره بخوانید."
    ),
    "412": (
        "پس از خواندن رکورد (ETag فرستاده‌شده در If-Match)، کس دیگری آن را تغییر داده است:"
        " detail می‌گوید چه کسی و چه چیزی را؛ سرآیند ETag نسخهٔ کنونی است."
    ),
    "422": "داده‌های ارسالی معتبر نیست.",
}

METHODS = {"get", "put", "post", "delete", "patch"}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "اختیاری: کلیدی یکتا برای این درخواست. فرستادن دوبارهٔ همان درخواست با همان کلید"
        " (تا ۲۴ ساعت) چیزی نمی‌سازد و همان پاسخ نخست را با سرآیند Idempotent-Replayed"
        " برمی‌گرداند؛ همان کلید با درخواستی دیگر ۴۲۲ می‌گیرد."
    ),
}


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 40},
    "description": (
        "اختیاری: ETag رکورد، آن‌گونه که GET آن را داد. اگر کسی پس از آن رکورد را ذخیره کرده"
        " باشد، پاسخ ۴۱۲ است و چیزی تغییر نمی‌کند (به‌جای بازنویسی تغییر او)."
    ),
}


def document_errors(schema: dict) -> dict:
    """Adds the error answers an operation can give and does not declare itself."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = {
        "title": ERROR_SCHEMA,
        "type": "object",
        "properties": {
            "detail": {"title": "Detail", "type": "string"},
            "errors": {"title": "Errors", "anyOf": [{"type": "object"}, {"type": "array"}]},
            "updated_at": {"title": "Updated At", "type": "string", "format": "date-time"},
        },
        "required": ["detail"],
    }
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            creates = method == "post" and "201" in map(str, operation.get("responses", {}))
            if creates:  # api.idempotency takes the header (400 for a key it cannot keep)
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            codes = ["400"] if operation.get("requestBody") or creates else []
            if operation.get("security"):
                codes += ["401", "403"]
            if "{" in path or method != "get":
                # A record named in the path or the body may be one the caller may not see.
                codes.append("404")
            if method in ("put", "patch", "delete") and "{" in path:
                # A record's write: its version as If-Match (api.conditional) or, for a
                # PUT or PATCH, as the body's updated_at.
                operation.setdefault("parameters", []).append(IF_MATCH)
                codes += ["400", "412"] + (["409"] if method != "delete" else [])
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("422")
            # ninja keys the declared answers by int, JSON by string: one key per status,
            # or the served document has "422" twice (Swagger UI refuses it).
            responses = {
                str(code): answer for code, answer in operation.get("responses", {}).items()
            }
            operation["responses"] = responses
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERRORS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return schema
