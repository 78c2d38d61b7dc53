"""The local LLM behind the llm brain: llama.cpp in process, or an OpenAI-compatible server."""
