// Deliberately not in the project's style: `scripts/format --check` must
// refuse this file (the meson test format-refuses-misformatted).
int  misformatted( int x ){ if(x>0) { return x*2 ; } else return -x; }
