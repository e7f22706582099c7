"""Errors a user can act on, each mapped to a CLI exit code."""


class AiatlasError(Exception):
    """Base class: message is one line the user can act on; hint says what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class DataError(AiatlasError):
    """Input data is wrong: missing column, unparseable file, rejects under --strict."""

    exit_code = 1


class FetchError(AiatlasError):
    """A download failed after its retries."""

    exit_code = 1


class UsageError(AiatlasError):
    """The caller asked for something that does not exist or is ill-typed."""

    exit_code = 2


class NotBuiltError(AiatlasError):
    """The warehouse has not been built yet."""

    exit_code = 1

    def __init__(self, path, hint: str = "run `aiatlas fetch` then `aiatlas build`"):
        super().__init__(f"no warehouse at {path}", hint=hint)


class StaleWarehouseError(NotBuiltError):
    """The warehouse lacks a column this version of aiatlas declares: an older aiatlas built it.
    Said in one line with what to do, never as the query engine's traceback."""

    def __init__(self, column: str):
        AiatlasError.__init__(self, f"the warehouse has no column {column}: an older version of "
                              "aiatlas built it", hint="run `aiatlas build`")


class VintageNotBuiltError(NotBuiltError):
    """A date was asked for (`as_of`) whose vintage has not been built: the caller's choice, not
    a broken server, so HTTP answers 404 and no path of the data home is shown."""

    def __init__(self, as_of):
        AiatlasError.__init__(self, f"no vintage of the data as of {as_of} has been built",
                              hint=f"build it: aiatlas build --as-of {as_of} "
                                   "(`aiatlas builds` lists the built ones)")
