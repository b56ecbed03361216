// Reads personal QR codes with the phone camera (jsQR) and submits them;
// typing the code in the form works without a camera.
(function () {
  var btn = document.getElementById("start-camera");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var form = document.getElementById("scan-form");
  var input = document.getElementById("code");
  if (!btn || !navigator.mediaDevices || !window.jsQR) { if (btn) btn.hidden = true; return; }
  btn.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.hidden = false; btn.hidden = true; video.play();
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      (function tick() {
        if (video.readyState === video.HAVE_ENOUGH_DATA) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
          if (code && code.data) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            input.value = code.data; form.submit(); return;
          }
        }
        requestAnimationFrame(tick);
      })();
    }).catch(function () { btn.hidden = true; });
  });
})();
