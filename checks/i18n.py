"""Translation marker for pure code: strings are extracted by Babel (keyword N_) and translated
where they are shown, by the portal."""


def N_(message: str) -> str:
    return message
