"""One module per node of the conversation graph; each adapts state to a tool call and back."""
