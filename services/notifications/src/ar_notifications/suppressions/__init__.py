"""The suppression list: addresses no message may be sent to."""
