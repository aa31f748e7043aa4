"""The platform every chapter uses; it knows no paper."""
