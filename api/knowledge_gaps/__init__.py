"""Knowledge gaps: questions the assistant could not answer, or answered in a way residents found unhelpful."""
