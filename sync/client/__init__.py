"""sync/client"""
