"""Do-not-contact: accounts nobody may call, write to or dun while it is in force."""
