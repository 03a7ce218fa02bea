"""Business dates: each business entity's "today", set by hand or by the calendar; its close of business."""
