/* PyTorchQnnpackPooling.x86FloatToInt32 (private): C's conversion of an integral float to int32 on
   x86 (cvttss2si), out of range (and NaN) giving INT32_MIN; as an int64. */
static int64_t zp_PyTorchQnnpackPooling_x86FloatToInt32(double integral) {
  return (integral >= -0x1p31 && integral < 0x1p31) ? (int64_t) integral : INT32_MIN;
}
