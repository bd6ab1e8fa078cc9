print("firpipe")
