"""The JSON API (version 1) for kiosks and agencies' front ends."""
