{
  "variables": {
    "helper_common": [
      "src/native/common/caps.c",
      "src/native/common/error.c",
      "src/native/common/exec.c",
      "src/native/common/namespaces.c",
      "src/native/common/process.c",
      "src/native/common/seccomp.c",
      "src/native/common/selfexe.c",
      "src/native/common/spec.c",
      "src/native/common/status.c",
      "src/native/common/supervise.c"
    ],
    "helper_cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2"],
    "helper_libraries": ["-Wl,-Bstatic", "-lseccomp", "-Wl,-Bdynamic"]
  },
  "targets": [
    {
      "target_name": "berth",
      "sources": ["src/native/addon.c", "src/native/netlink.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "berth-init",
      "type": "executable",
      "sources": [
        "<@(helper_common)",
        "src/native/init/cgroupfs.c",
        "src/native/init/dev.c",
        "src/native/init/inroot.c",
        "src/native/init/main.c",
        "src/native/init/paths.c",
        "src/native/init/rootfs.c"
      ],
      "cflags": ["<@(helper_cflags)"],
      "libraries": ["<@(helper_libraries)"]
    },
    {
      "target_name": "berth-proxy",
      "type": "executable",
      "sources": ["src/native/proxy/main.c"],
      "cflags": ["<@(helper_cflags)"]
    },
    {
      "target_name": "berth-nsenter",
      "type": "executable",
      "sources": ["<@(helper_common)", "src/native/nsenter/main.c"],
      "cflags": ["<@(helper_cflags)"],
      "libraries": ["<@(helper_libraries)"]
    }
  ]
}
