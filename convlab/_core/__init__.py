"""Private helpers shared across convlab: number formatting, input validation, window arithmetic, the Check badge.

Nothing here is public API; the lesson packages import from it, never the other way round.
"""
