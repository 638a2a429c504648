{
  "targets": [
    {
      "target_name": "oip_json",
      "sources": ["native/oip_json.cc"],
      "cflags_cc": ["-std=c++17", "-O2"],
      "cflags_cc!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
