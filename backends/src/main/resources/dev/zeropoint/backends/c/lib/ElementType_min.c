/* ElementType.minValue() of the ElementType of ordinal type (F32 0, F64 1, I8 2, U8 3, I16 4, I32 5,
   I64 6): the smallest value of an integer type, 0 for the float types. */
static int64_t zp_ElementType_min(int32_t type) {
  switch (type) {
    case 2: return -128;
    case 4: return -32768;
    case 5: return INT32_MIN;
    case 6: return INT64_MIN;
    default: return 0;
  }
}
