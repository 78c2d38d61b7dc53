"""The judgment agents. Each computes its evidence in code, knows its allowed choices (hard limits
enforced in code), decides by rules or asks the LLM brain to choose inside those limits."""
