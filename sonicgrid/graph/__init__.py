"""The LangGraph state machine: typed state, pure node functions, wiring, checkpointer."""
