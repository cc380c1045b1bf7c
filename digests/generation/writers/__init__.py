"""Writers turn ranked candidates into a digest's items: Gemini, OpenAI-compatible, or offline extractive."""
