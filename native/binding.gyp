{
  "targets": [
    {
      "target_name": "digitkit_native",
      "sources": ["digitkit-native.cc"],
      "cflags_cc": ["-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno", "-std=c++17", "-Wno-maybe-uninitialized"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
