{
  "targets": [
    {
      "target_name": "berth",
      "sources": ["src/native/addon.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
