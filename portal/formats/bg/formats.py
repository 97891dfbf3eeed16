"""Bulgarian formats for the site and the newsroom (FORMAT_MODULE_PATH = ["portal.formats"]).

Django's own bg module leaves dates typed in forms to its US defaults (12/04/2026 is accepted, 04.12.2026 is
not) and shows date-times as "Дек. 4, 2026, 2:46 след обяд". Here: day.month.year first, the ISO forms still
accepted (what <input type="date"> and scripts send), a 24-hour clock. The admin's calendar and its "Днес" /
"Сега" shortcuts write the first input format of each list; its split date and time fields render with them.
"""

# Shown as they are typed: the newsroom's lists read like its forms.
DATE_FORMAT = "d.m.Y"  # 04.12.2026
TIME_FORMAT = "H:i"  # 14:46
DATETIME_FORMAT = "d.m.Y H:i"  # 04.12.2026 14:46
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"  # 04.12.2026
SHORT_DATETIME_FORMAT = "d.m.Y H:i"  # 04.12.2026 14:46
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # 04.12.2026
    "%d.%m.%y",  # 04.12.26
    "%Y-%m-%d",  # 2026-12-04
]
# Seconds first: the admin shows a stored time with them, so saving a form again keeps the time it had.
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 14:46:05
    "%H:%M",  # 14:46
    "%H:%M:%S.%f",
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M",  # 04.12.2026 14:46
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",  # 04.12.2026 (midnight)
    "%d.%m.%y %H:%M",
    "%d.%m.%y",
    "%Y-%m-%d %H:%M:%S",  # 2026-12-04 14:46:05
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a no-break space
NUMBER_GROUPING = 3
