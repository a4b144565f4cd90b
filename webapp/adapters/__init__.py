"""The outside world behind small interfaces: payments now; voice calls and mail with later issues."""
