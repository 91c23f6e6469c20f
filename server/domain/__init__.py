"""Pure queue rules: entities, call-next policies, numbering, 过号重排, state machine, events.

Standard library only; time is passed in, never read.
"""
