/* Arithmetic.clampZeroSix: std::min(std::max(v, 0.0f), 6.0f); NaN propagates, -0.0 stays -0.0. */
static float zp_Arithmetic_clampZeroSix(float v) {
  float atLeastZero = v < 0.0f ? 0.0f : v;
  return 6.0f < atLeastZero ? 6.0f : atLeastZero;
}
