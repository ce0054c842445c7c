"""控辍保学个案 (一人一档): from suspicion to 销号."""
