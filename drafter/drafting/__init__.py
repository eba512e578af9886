"""Facts → outline → per section: prompt → text (an OpenAI-compatible model, or the offline drafter)
→ cleaned prose; the pipeline runs it all and stores each section."""
