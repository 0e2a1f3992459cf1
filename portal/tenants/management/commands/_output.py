"""What the tenant commands share: who acts, and printing a key so scripts can take it."""

from portal.core.principals import ACTOR_SYSTEM, Actor

COMMAND_ACTOR = Actor(ACTOR_SYSTEM, "manage.py")


def print_key_last(command, introduction, key):
    """Print a sentence, then the key alone on the last line (`... | tail -n 1`)."""
    command.stdout.write(introduction)
    command.stdout.write(key)
