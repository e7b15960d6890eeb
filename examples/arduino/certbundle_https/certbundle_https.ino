// certbundle's Arduino IDE example: an HTTPS request checked with a certificate bundle that
// certbundle wrote as a C array (Arduino IDE cannot embed files). Make the two files beside this
// sketch first (see ../README.md). The format follows the core's ESP-IDF; by arduino-esp32 version:
// 2.0.x: V1; 3.0.x and 3.1.x: V1; 3.2 and later: V2
//
//   certbundle bundle --emit c -o x509_crt_bundle.c                    # 3.2 and later (V2)
//   certbundle bundle --idf-version 5.3 --emit c -o x509_crt_bundle.c  # 3.0.x and 3.1.x (V1)
//   certbundle bundle --idf-version 4.4 --emit c -o x509_crt_bundle.c  # 2.0.x (V1)
#include <HTTPClient.h>
#include <WiFi.h>
#include <WiFiClientSecure.h>

#include "x509_crt_bundle.h"  // const unsigned char x509_crt_bundle[]; const unsigned int x509_crt_bundle_len

const char* ssid = "your-ssid";
const char* password = "your-password";
const char* url = "https://www.howsmyssl.com/a/check";

void setup() {
  Serial.begin(115200);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) delay(500);

  WiFiClientSecure client;
#if defined(ESP_ARDUINO_VERSION_MAJOR) && ESP_ARDUINO_VERSION_MAJOR >= 3
  client.setCACertBundle(x509_crt_bundle, x509_crt_bundle_len);  // 3.x: bundle and size
#else
  client.setCACertBundle(x509_crt_bundle);  // 2.0.x: reads the V1 count from the bundle
#endif
  HTTPClient https;
  if (https.begin(client, url)) {
    int code = https.GET();
    Serial.printf("GET %s: %d\n", url, code);
    https.end();
  }
}

void loop() {}
