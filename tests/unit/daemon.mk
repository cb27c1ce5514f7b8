# unit tests of daemon/ (filled by its owner)
