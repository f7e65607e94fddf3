"""What the bot shows, a module per feature: common (Reply, buttons, echo), pages, tips,
techniques, safety, checkins, progress, settings, sessions, operators; the pictures: chart
and drawings (the /progress and /stats charts, drawn off the loop), photos (the technique
pictures, sent by file id) and report (/report's PDF)."""
