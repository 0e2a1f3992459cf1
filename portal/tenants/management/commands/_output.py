"""What the tenant commands share: printing a key so scripts can take it."""


def print_key_last(command, introduction, key):
    """Print a sentence, then the key alone on the last line (`... | tail -n 1`)."""
    command.stdout.write(introduction)
    command.stdout.write(key)
