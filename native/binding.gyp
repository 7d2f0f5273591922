{
  "variables": {
    "dk_flags": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-std=c++17", "-fPIC", "-Wno-maybe-uninitialized"]
  },
  "targets": [
    {
      "target_name": "digitkit_native",
      "sources": ["digitkit-native.cc", "gemm-plain.cc"],
      "cflags_cc": ["<@(dk_flags)"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(dk_flags)"] },
      "conditions": [["target_arch=='x64'", { "dependencies": ["dk_avx2", "dk_avx512"] }]]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "dk_avx2",
          "type": "static_library",
          "sources": ["gemm-avx2.cc"],
          "cflags_cc": ["<@(dk_flags)", "-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(dk_flags)", "-mavx2", "-mfma"] }
        },
        {
          "target_name": "dk_avx512",
          "type": "static_library",
          "sources": ["gemm-avx512.cc"],
          "cflags_cc": ["<@(dk_flags)", "-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(dk_flags)", "-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mfma"] }
        }
      ]
    }]
  ]
}
