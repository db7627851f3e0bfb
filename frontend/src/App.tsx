import { AppHeader } from './components/AppHeader';
import { HomePage } from './pages/HomePage';

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppHeader />
      <main id="main" className="app-main" tabIndex={-1}>
        <HomePage />
      </main>
    </>
  );
}
