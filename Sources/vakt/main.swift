print("vakt")
