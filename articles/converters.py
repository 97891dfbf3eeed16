class TwoDigitConverter:
    """Month and day as they appear in article URLs: always two digits."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"
