"""Widgets of the supervisor's home: terminal charts, the area's tables, the export panel."""
