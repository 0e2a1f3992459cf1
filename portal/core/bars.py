"""Figures drawn as bars in the admin: a part of a whole as a percentage, a use of a
capacity (templates/admin/portal/usage_bar.html draws it)."""


def percent_of(part, whole) -> int:
    if whole <= 0:
        return 100 if part > 0 else 0
    return min(100, round(100 * part / whole))


def usage_bar(capacity, used, label, unit="") -> dict:
    capacity, used = capacity or 0, used or 0
    percent = percent_of(used, capacity)
    return {"label": label, "used": used, "capacity": capacity, "unit": unit,
            "percent": percent, "level": level_of(percent)}  # fmt: skip


def level_of(percent: int) -> str:
    """The bar's colour class: how close the resource is to running out."""
    if percent >= 90:
        return "full"
    return "high" if percent >= 70 else "ok"
