"""The language-model substrate of chapters 07-10: SmolLM2-135M-Instruct loaded offline from its PyPI wheel,
tiny Llama models built from configs, the MiniLM sentence encoder, and the scoring helpers they share."""
