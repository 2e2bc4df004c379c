//go:build !unix

package main

func checkOwner(string) error { return nil }
