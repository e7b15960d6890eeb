// certbundle's PlatformIO example: the bundle embedded by board_build.embed_files.
#include <Arduino.h>
#include <HTTPClient.h>
#include <WiFi.h>
#include <WiFiClientSecure.h>

extern const uint8_t x509_crt_bundle_start[] asm("_binary_data_x509_crt_bundle_start");
extern const uint8_t x509_crt_bundle_end[] asm("_binary_data_x509_crt_bundle_end");

const char* ssid = "your-ssid";
const char* password = "your-password";
const char* url = "https://www.howsmyssl.com/a/check";

void setup() {
  Serial.begin(115200);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) delay(500);

  WiFiClientSecure client;
#if defined(ESP_ARDUINO_VERSION_MAJOR) && ESP_ARDUINO_VERSION_MAJOR >= 3
  client.setCACertBundle(x509_crt_bundle_start, x509_crt_bundle_end - x509_crt_bundle_start);
#else
  client.setCACertBundle(x509_crt_bundle_start);
#endif
  HTTPClient https;
  if (https.begin(client, url)) {
    Serial.printf("GET %s: %d\n", url, https.GET());
    https.end();
  }
}

void loop() {}
