"""A systemd OnCalendar expression as crontab fields, for hosts where cron stands in for the timer.

Only what cron can run exactly is converted: the learn window must not move because the host
has no systemd. Anything else (seconds, years, time zones, ``~`` last days) is refused with
the reason, so that the play fails before a controller is changed.
"""

from __future__ import annotations

# The shorthands systemd accepts, as the full expressions systemd-analyze normalizes them to.
SHORTHANDS = {
    "minutely": "*-*-* *:*:00",
    "hourly": "*-*-* *:00:00",
    "daily": "*-*-* 00:00:00",
    "weekly": "Mon *-*-* 00:00:00",
    "monthly": "*-*-01 00:00:00",
    "yearly": "*-01-01 00:00:00",
    "annually": "*-01-01 00:00:00",
    "quarterly": "*-01,04,07,10-01 00:00:00",
    "semiannually": "*-01,07-01 00:00:00",
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class NotCron(ValueError):
    """The expression is not one cron can run as systemd would."""


def _number(text: str, low: int, high: int, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise NotCron(f"'{text}': the {what} must be a number in {low}..{high}")
    return int(text)


def _field(text: str, low: int, high: int, what: str) -> str:
    """One calendar component (``*``, ``5``, ``1..7``, ``0/15``, ``8..16/4``, lists of these) as cron's field."""
    if text == "*":
        return "*"
    if "~" in text:
        raise NotCron(f"'{text}': cron has no days counted from the end of the month")
    parts = []
    for part in text.split(","):
        span, _, step = part.partition("/")
        first, dots, last = span.partition("..")
        start = _number(first, low, high, what)
        end = _number(last, start, high, what) if dots else (high if step else start)
        if step:
            # systemd refuses a repetition longer than the component's range; so does this.
            every = _number(step, 1, high - low, f"{what} repetition")
            parts.append(f"{start}-{end}/{every}")
        else:
            parts.append(f"{start}-{end}" if end != start else str(start))
    return ",".join(parts)


def _weekday(name: str) -> int:
    """ISO number (Monday 1 .. Sunday 7) of an English weekday, abbreviated or not."""
    lowered = name.lower()
    for number, day in enumerate(WEEKDAYS, start=1):
        if lowered in (day, day[:3]):
            return number
    raise NotCron(f"'{name}' is not a weekday")


def _weekdays(text: str) -> list[int]:
    days = set()
    for part in text.split(","):
        first, dots, last = part.partition("..")
        if not dots and "-" in part:
            first, _, last = part.partition("-")
        start = _weekday(first)
        end = _weekday(last) if last else start
        if end < start:
            raise NotCron(f"'{part}' runs backwards (weekdays go Mon..Sun)")
        days.update(range(start, end + 1))
    return sorted(days)


def _zero_seconds(text: str) -> None:
    whole, _, fraction = text.partition(".")
    if not (whole.isascii() and whole.isdigit() and int(whole) == 0 and fraction.strip("0") == ""):
        raise NotCron(f"seconds '{text}': cron starts jobs on whole minutes only")


def cron_fields(expression: str) -> dict[str, str]:
    """minute, hour, day, month and weekday fields of a crontab line, and a ``guard`` for its job.

    systemd runs on days that match both the weekday and the day of the month; cron runs when
    either matches if both are restricted. Then the day stays in cron's field and ``guard`` (a
    shell test to put before the command, ``%`` escaped for crontab) keeps the weekdays;
    otherwise ``guard`` is empty.
    """
    words = expression.split()
    if len(words) == 1 and words[0].lower() in SHORTHANDS:
        words = SHORTHANDS[words[0].lower()].split()
    weekday = words.pop(0) if words and words[0][:1].isalpha() else None
    date = words.pop(0) if words and "-" in words[0] else None
    time = words.pop(0) if words and ":" in words[0] else None
    if words:
        raise NotCron(f"'{' '.join(words)}': cron runs in the host's own time zone and reads nothing after the time")
    if weekday is None and date is None and time is None:
        raise NotCron("no weekday, date or time")
    weekdays = _weekdays(weekday) if weekday else list(range(1, 8))

    dates = (date or "*-*-*").split("-")
    if len(dates) == 2:
        dates.insert(0, "*")
    if len(dates) != 3:
        raise NotCron(f"'{date}' is not a date (year-month-day)")
    year, month, day = dates
    if year != "*":
        raise NotCron(f"year '{year}': cron repeats every year")

    hour, minute, second = "0", "0", "0"
    if time is not None:
        times = time.split(":")
        if len(times) not in (2, 3):
            raise NotCron(f"'{time}' is not a time (hour:minute[:second])")
        hour, minute = times[:2]
        second = times[2] if len(times) == 3 else "0"
    _zero_seconds(second)

    fields = {
        "minute": _field(minute, 0, 59, "minute"),
        "hour": _field(hour, 0, 23, "hour"),
        "day": _field(day, 1, 31, "day of the month"),
        "month": _field(month, 1, 12, "month"),
        "weekday": "*",
        "guard": "",
    }
    if len(weekdays) < 7:
        if fields["day"] == "*":
            fields["weekday"] = ",".join(map(str, sorted(number % 7 for number in weekdays)))  # Sunday is cron's 0
        else:
            fields["guard"] = f"date +\\%u | grep -qx '[{''.join(map(str, weekdays))}]' && "
    return fields
