"""Suite-wide set-up: this folder is importable, so helpers such as
``shared_material`` can be shared by the test packages below it."""
